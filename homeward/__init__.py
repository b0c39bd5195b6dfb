"""Homeward: the shared record of children who go missing from home or care."""

__version__ = "0.1.0"
