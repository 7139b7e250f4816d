"""The parts of benchmarks/order_placement.py: pgbench, the shop's data, the server, the load."""

# The server signs the customers' tokens with it; the benchmark makes them with it.
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
