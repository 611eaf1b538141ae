// JLLinearAlgebra: placeholder until its issue lands.
