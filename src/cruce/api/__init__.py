"""The HTTP API: FastAPI routers that parse, authorise, call the core, persist and respond."""
