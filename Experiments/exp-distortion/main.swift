print("exp-distortion: not built yet")
