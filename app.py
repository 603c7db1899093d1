"""Splice-efficiency explorer: the app frame (page config, navigation, shared sidebar)."""

import streamlit as st

from app_loading import loading_notice

# Material icons, not emoji: they need no emoji font in the browser (Debian's chromium showed empty boxes).
st.set_page_config(
    page_title="Yeast intron splicing predictor", page_icon=":material/genetics:", layout="wide"
)
notice = loading_notice()  # before app_state, whose import starts TensorFlow and the model's load
from app_state import (  # noqa: E402
    bound_native_memory,
    keep_compiled_models,
    release_freed_memory,
    render_sidebar,
)

keep_compiled_models()
bound_native_memory()
navigation = st.navigation(
    [
        st.Page("app_pages/predict.py", title="Predict & explain", icon=":material/insights:", default=True),
        st.Page("app_pages/batch.py", title="Batch scoring", icon=":material/table_view:"),
        st.Page("app_pages/design.py", title="Design", icon=":material/design_services:"),
        st.Page("app_pages/native.py", title="Native introns", icon=":material/genetics:"),
        st.Page("app_pages/variants.py", title="Variants", icon=":material/difference:"),
        st.Page("app_pages/dataset.py", title="Dataset", icon=":material/bar_chart:"),
        st.Page("app_pages/model.py", title="Model", icon=":material/monitoring:"),
        st.Page("app_pages/retrain.py", title="Retrain", icon=":material/model_training:"),
    ]
)
render_sidebar()
try:
    navigation.run()
finally:
    notice.empty()
    release_freed_memory()
