print("exp-unbiasedness: not built yet")
