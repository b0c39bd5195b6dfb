"""Places: the postcode directory, places where children went missing from,
were found, stayed or were taken, and hotspots."""
