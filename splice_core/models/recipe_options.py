"""Names a training configuration chooses from (architectures, contexts, outputs, losses): no TensorFlow.

The command line's ``--help`` and the Retrain page list them without importing Keras; the modules that
implement each name (``architectures``, ``contexts``, ``training``) import them from here.
"""

ARCHITECTURES = (
    "bilstm",
    "cnn_res1",
    "cnn_res1_conv",
    "cnn_res4",
    "cnn_res4_conv",
    "cnn_stacked",
    "dilated_resnet",
    "site_aware_cnn",
    "site_gated_cnn",
)
CONTEXTS = ("full", "intron", "windows", "oligo")
OUTPUTS = ("sigmoid", "relu")
LOSSES = {"mse": "mse", "bce": "binary_crossentropy"}
