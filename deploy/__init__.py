"""Deployment tooling: the Lambda build artifact and the SAM template helpers (not shipped to Lambda)."""
