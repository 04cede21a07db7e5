"""Processing algorithms: one module per algorithm, a shared base class (base.py)."""
