"""The missing protocol as versioned configuration: rules, tasks, messages, meetings (docs/protocol.md)."""
