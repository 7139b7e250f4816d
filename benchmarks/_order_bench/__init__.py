"""The parts of benchmarks/order_placement.py: pgbench, the shop's data, the server, the
customers' sessions."""

# The server signs the customers' access tokens with it.
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
