print("nb-04-lemma-and-theorem: not built yet")
