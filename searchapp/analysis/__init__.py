"""Text analysis, engine-neutral: language identification, normalisation and folding, segmentation."""
