print("exp-bits: not built yet")
