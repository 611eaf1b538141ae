print("nb-01-jl-lemma: not built yet")
