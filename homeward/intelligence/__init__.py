"""Intelligence: people of concern, links between children, places and people,
the network view and the exploitation panel's shortlist."""
