"""Regional structure of scores: groups, disparities, convergence, distribution dynamics and
spatial autocorrelation."""
