"""The index over time: versions and the CURRENT pointer, builds, incremental updates, jobs, history."""
