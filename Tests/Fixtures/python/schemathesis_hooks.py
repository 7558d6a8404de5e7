"""Schemathesis hooks for the API contract test: tus bodies are plain bytes."""
import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
