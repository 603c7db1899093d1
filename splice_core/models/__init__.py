"""Models: option names, Keras architectures, training, the model store, metrics, evaluation and the gradient-boosting peer."""
