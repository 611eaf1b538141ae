print("nb-05-kv-cache: not built yet")
