print("jlsketch-smoke: placeholder")
