print("exp-seed-variance: not built yet")
