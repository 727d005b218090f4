"""The SPARQL 1.1 service: `iacai serve`, a FastAPI app over pyoxigraph query-worker processes."""
