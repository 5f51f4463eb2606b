"""The from-scratch NumPy training core reviewed in the report.

Every layer, network and optimizer works on a *stack* of ``K`` independent models of the same
architecture: parameters have a leading model axis, activations have shape ``(K, N, D)``.
Models that see the same minibatch then share one wide first-layer matmul, which is what makes
the comparisons of chapter 6 (four optimizers, three initialisations, a hundred search trials)
fast on a CPU. A single network is simply ``K = 1``.
"""
