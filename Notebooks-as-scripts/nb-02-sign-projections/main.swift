print("nb-02-sign-projections: not built yet")
