"""The role GitHub Actions assumes through OIDC to deploy."""
