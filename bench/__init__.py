"""Benchmarks for Procure: ``make bench`` runs them and prints a table of figures."""
