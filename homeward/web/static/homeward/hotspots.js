// The hotspot map (web/places/hotspots.html), drawn with Leaflet.
//
// Data: the page's JSON endpoint (data-url: areas with their counts, already
// suppressed for roles that see figures only) and, for postcode districts,
// the shipped outlines (data-outlines, a GeoJSON file). No background map
// unless the deployment configures a tile server (data-tiles-url,
// HOMEWARD_MAP_TILES_URL). The tables under the map carry the same figures:
// they are the accessible alternative, so the map adds nothing a keyboard or
// screen-reader user misses.
//
// No inline script or style (Content-Security-Policy): colours are SVG
// presentation attributes set by Leaflet, the legend uses CSS classes.
(function () {
  "use strict";

  var el = document.getElementById("hotspot-map");
  if (!el || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var status = document.getElementById("hotspot-map-status");
  var COLOURS = ["#f6dfe6", "#e7a4b8", "#d36a8a", "#b0305c", "#6b0f33"];
  var OUTLINE = "#505a5f";
  var ENGLAND = [[50.0, -5.8], [55.8, 1.8]];

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error("HTTP " + r.status);
      }
      return r.json();
    });
  }

  var tilesUrl = el.getAttribute("data-tiles-url") || "";
  var map = L.map(el, { attributionControl: !!tilesUrl, zoomSnap: 0.5, minZoom: 5, maxZoom: 16 });
  if (tilesUrl) {
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(tilesUrl, { attribution: el.getAttribute("data-tiles-attribution") || "", maxZoom: 18 }).addTo(map);
  }
  map.fitBounds(ENGLAND);

  function text(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function tooltip(area) {
    var lines = [
      "<strong>" + text(area.label) + "</strong>",
      text(area.episodes) + " episode" + (area.episodes === 1 ? "" : "s") + ", " +
        text(area.children) + " child" + (area.children === 1 ? "" : "ren"),
      "Previous period: " + text(area.previous_episodes) + " (" + text(area.change) + ")",
    ];
    if (area.url) {
      lines.push("Select to list the episodes");
    }
    return lines.join("<br>");
  }

  function style(area) {
    return {
      color: OUTLINE, weight: 1.5, opacity: 1,
      fillColor: COLOURS[Math.max(1, Math.min(5, area.level || 1)) - 1], fillOpacity: 0.75,
    };
  }

  function bind(layer, area) {
    layer.bindTooltip(tooltip(area), { sticky: true });
    if (area.url) {
      layer.on("click", function () {
        window.location.assign(area.url);
      });
    }
  }

  function legend(data) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "hw-map-legend");
      var rows = ["Episodes, relative to the busiest area"];
      var names = ["fewest", "", "", "", "most"];
      for (var i = 1; i <= 5; i++) {
        rows.push('<span class="hw-map-legend__swatch hw-map-legend__swatch--' + i + '"></span>' + names[i - 1]);
      }
      if (data.threshold) {
        rows.push("Areas under " + data.threshold + " episodes: lightest");
      }
      div.innerHTML = rows.join("<br>");
      return div;
    };
    control.addTo(map);
  }

  function draw(data, outlines) {
    var byKey = {};
    data.areas.forEach(function (a) {
      byKey[a.key] = a;
    });
    var drawn = L.featureGroup().addTo(map);
    var outlined = {};
    if (outlines && outlines.features) {
      var background = L.geoJSON(outlines, {
        style: function (feature) {
          var area = byKey[feature.properties.district];
          if (area) {
            return style(area);
          }
          return { color: OUTLINE, weight: 0.6, opacity: 0.6, fillOpacity: 0, interactive: false };
        },
        onEachFeature: function (feature, layer) {
          var area = byKey[feature.properties.district];
          if (area) {
            outlined[area.key] = true;
            bind(layer, area);
            drawn.addLayer(layer);
          }
        },
      });
      background.addTo(map);
    }
    data.areas.forEach(function (area) {
      if (outlined[area.key]) {
        return;
      }
      var layer = null;
      if (area.boundary && area.boundary.length) {
        layer = L.polygon(area.boundary, style(area));
      } else if (area.latitude !== null && area.longitude !== null) {
        layer = L.circleMarker([area.latitude, area.longitude], Object.assign(style(area), { radius: 9 }));
      }
      if (layer) {
        bind(layer, area);
        drawn.addLayer(layer);
      }
    });
    legend(data);
    if (drawn.getLayers().length) {
      map.fitBounds(drawn.getBounds(), { padding: [20, 20], maxZoom: 12 });
    }
    var located = drawn.getLayers().length;
    var missing = data.areas.length - located;
    say(
      (located ? "The map shows " + located + " area" + (located === 1 ? "" : "s") + "." : "No area to show on the map.") +
      (missing > 0 ? " " + missing + " area" + (missing === 1 ? " is" : "s are") + " not on the map (not in the postcode directory): see the tables." : "")
    );
    el.setAttribute("data-drawn", String(located));
  }

  var outlinesUrl = el.getAttribute("data-outlines");
  var wantOutlines = el.getAttribute("data-area") === "district" && outlinesUrl;
  say("Loading the map…");
  Promise.all([getJSON(el.getAttribute("data-url")), wantOutlines ? getJSON(outlinesUrl) : Promise.resolve(null)])
    .then(function (results) {
      draw(results[0], results[1]);
    })
    .catch(function () {
      say("The map could not be loaded. The tables below give the same figures.");
    });
})();
