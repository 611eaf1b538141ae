print("exp-runtime: not built yet")
