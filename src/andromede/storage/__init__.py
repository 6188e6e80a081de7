"""Block storage (issue 20): volume types per region and the storage pools that hold
volumes. For now its pure core, ``pool_placement``: where a volume of a type and size
goes among a region's pools, never beyond a pool's capacity."""
