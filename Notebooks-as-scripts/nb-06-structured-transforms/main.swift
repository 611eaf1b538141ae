print("nb-06-structured-transforms: not built yet")
