print("exp-merge: not built yet")
