print("exp-transforms: not built yet")
