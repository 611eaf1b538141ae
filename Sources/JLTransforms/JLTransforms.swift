// JLTransforms: placeholder until its issue lands.
