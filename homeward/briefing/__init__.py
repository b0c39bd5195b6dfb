"""The police briefing: the Philomena Protocol profile a child's carers keep,
the second part added on going missing, and the printable briefing."""
