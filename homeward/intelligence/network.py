"""A network of children, people of concern and places, and where to draw it.

``Network`` holds nodes and edges (made by selectors.network_for_child and
network_for_person from what the reader may see). ``layout`` places them
deterministically, for a server-side SVG: the same network always gives the
same picture, whatever order the database returned rows in.

The layout is three columns: people of concern on the left, children in the
middle (the child the network is about first), places on the right. Each
column is ordered by the mean position of the nodes it is linked to (one
pass, children first), with ties broken by label then key, so that links
mostly run straight across; columns are centred on the tallest one. Links
between children (went missing or found together) are arcs to the right of
the children's column, dashed. Pure: no database, no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CHILD = "child"
PERSON = "person"
PLACE = "place"
KINDS = (PERSON, CHILD, PLACE)

# Geometry (SVG user units).
WIDTH = 980
COLUMN_X = {PERSON: 170, CHILD: 490, PLACE: 790}
TOP = 48
ROW = 56
BOTTOM = 40
LABEL_CHARS = 24
# Colours from the GOV.UK palette; shapes differ too, so colour is never the only cue.
FILL = {CHILD: "#1d70b8", PERSON: "#d4351c", PLACE: "#00703c"}
TEXT = "#0b0c0c"
LINE = "#505a5f"
CHILD_LINE = "#1d70b8"


@dataclass(frozen=True)
class Node:
    key: str  # "child:12", "person:3", "place:40"
    kind: str
    label: str
    url: str = ""
    focus: bool = False


@dataclass(frozen=True)
class Edge:
    a: str  # node keys
    b: str
    label: str  # how they are linked: "Seen with the child", "Went missing together"
    source: str = ""  # where it comes from, as people read it
    date: dt.date | None = None
    between_children: bool = False


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    left_out: int = 0  # nodes over the limit, not drawn (their links are in the table)

    def add_node(self, node: Node) -> None:
        if all(n.key != node.key for n in self.nodes):
            self.nodes.append(node)

    def add_edge(self, edge: Edge) -> None:
        if edge.a != edge.b and edge not in self.edges:
            self.edges.append(edge)

    def node(self, key: str) -> Node | None:
        return next((n for n in self.nodes if n.key == key), None)

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for n in self.nodes if n.kind == kind) for kind in KINDS}

    def limited(self, max_nodes: int) -> "Network":
        """At most `max_nodes` nodes (the focus first, then in the order they
        were added), the edges between them, and how many were left out."""
        if len(self.nodes) <= max_nodes:
            return self
        ordered = sorted(self.nodes, key=lambda n: not n.focus)
        kept = ordered[:max_nodes]
        keys = {n.key for n in kept}
        return Network(nodes=[n for n in self.nodes if n.key in keys],
                       edges=[e for e in self.edges if e.a in keys and e.b in keys],
                       left_out=len(self.nodes) - len(kept))


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    x: float
    y: float

    @property
    def short_label(self) -> str:
        label = self.node.label
        return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "…"

    # Where the label goes, and how it is anchored.
    @property
    def label_x(self) -> float:
        return {PERSON: self.x - 16, CHILD: self.x, PLACE: self.x + 16}[self.node.kind]

    @property
    def label_y(self) -> float:
        return self.y + 26 if self.node.kind == CHILD else self.y + 5

    @property
    def anchor(self) -> str:
        return {PERSON: "end", CHILD: "middle", PLACE: "start"}[self.node.kind]

    @property
    def fill(self) -> str:
        return FILL[self.node.kind]

    @property
    def radius(self) -> int:
        return 14 if self.node.focus else 10

    @property
    def square(self) -> tuple[float, float, int]:
        return self.x - 9, self.y - 9, 18

    @property
    def diamond(self) -> str:
        x, y, r = self.x, self.y, 12
        return f"{x:g},{y - r:g} {x + r:g},{y:g} {x:g},{y + r:g} {x - r:g},{y:g}"


@dataclass(frozen=True)
class PlacedEdge:
    edge: Edge
    path: str  # an SVG path: a straight line, or an arc between children
    dashed: bool
    colour: str


@dataclass
class Drawing:
    width: int
    height: int
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def layout(network: Network) -> Drawing:
    neighbours: dict[str, set[str]] = {n.key: set() for n in network.nodes}
    for e in network.edges:
        if e.a in neighbours and e.b in neighbours:
            neighbours[e.a].add(e.b)
            neighbours[e.b].add(e.a)
    by_kind = {kind: [n for n in network.nodes if n.kind == kind] for kind in KINDS}

    def tie(n: Node) -> tuple:
        return (n.label.casefold(), n.key)

    # Children: the focus first, then the most linked.
    children = sorted(by_kind[CHILD], key=lambda n: (not n.focus, -len(neighbours[n.key]), *tie(n)))
    index = {n.key: i for i, n in enumerate(children)}
    people = sorted(by_kind[PERSON], key=lambda n: (
        not n.focus, _mean([index[k] for k in neighbours[n.key] if k in index], 1e6), *tie(n)))
    index.update({n.key: i for i, n in enumerate(people)})
    places = sorted(by_kind[PLACE], key=lambda n: (
        not n.focus, _mean([index[k] for k in neighbours[n.key] if k in index], 1e6), *tie(n)))

    columns = {PERSON: people, CHILD: children, PLACE: places}
    tallest = max((len(c) for c in columns.values()), default=0)
    placed: dict[str, PlacedNode] = {}
    for kind, column in columns.items():
        offset = (tallest - len(column)) * ROW / 2
        for i, n in enumerate(column):
            placed[n.key] = PlacedNode(n, COLUMN_X[kind], TOP + offset + i * ROW)

    lines: list[PlacedEdge] = []
    drawn: set[tuple] = set()
    order = {PERSON: 0, CHILD: 1, PLACE: 2}
    for e in sorted(network.edges, key=lambda e: (not e.between_children, e.a, e.b, e.label)):
        if e.a not in placed or e.b not in placed:
            continue
        pair = tuple(sorted((e.a, e.b)))
        if pair in drawn:
            continue  # two links between the same nodes: one line (the table lists both)
        drawn.add(pair)
        p, q = placed[e.a], placed[e.b]
        if p.node.kind == q.node.kind == CHILD:
            top, bottom = sorted((p, q), key=lambda n: n.y)
            # Wide enough to clear the labels under the children.
            bulge = 90 + 0.3 * (bottom.y - top.y)
            path = (f"M {top.x:g} {top.y:g} Q {top.x + bulge:g} {(top.y + bottom.y) / 2:g} "
                    f"{bottom.x:g} {bottom.y:g}")
            lines.append(PlacedEdge(e, path, True, CHILD_LINE))
        else:
            left, right = sorted((p, q), key=lambda n: order[n.node.kind])
            lines.append(PlacedEdge(e, f"M {left.x:g} {left.y:g} L {right.x:g} {right.y:g}", False, LINE))
    height = int(TOP + max(tallest - 1, 0) * ROW + BOTTOM + 20)
    return Drawing(width=WIDTH, height=height,
                   nodes=[placed[n.key] for kind in KINDS for n in columns[kind]], edges=lines)
