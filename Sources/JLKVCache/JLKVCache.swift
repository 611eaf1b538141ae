// JLKVCache: placeholder until its issue lands.
