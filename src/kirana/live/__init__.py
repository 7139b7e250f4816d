"""Live: the WebSocket channels, their pub/sub, and rider telemetry (docs/live.md)."""
