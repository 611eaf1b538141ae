print("nb-03-asymmetric-estimator: not built yet")
