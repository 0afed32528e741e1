"""Where things are: the offline GeoNames gazetteer, the optional Nominatim fallback, province
outlines (geoBoundaries) and the re-location of stored incidents' places."""
