"""A local stand-in for ServiceTitan's integration environment, for tests, benchmarks and the demo.

It answers the endpoints PageToJob uses with the paths and shapes of the official OpenAPI documents, keeps
state per tenant, and injects the failures a real integration must survive. It imports nothing else from
`pagetojob`, so it can run (and be reasoned about) on its own.
"""
