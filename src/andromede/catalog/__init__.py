"""Regions, zones, hosts, flavors and images."""
