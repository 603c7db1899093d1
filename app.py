"""Splice-efficiency explorer: the app frame (page config, navigation, shared sidebar)."""

import streamlit as st

from app_state import bound_native_memory, keep_compiled_models, release_freed_memory, render_sidebar

keep_compiled_models()
bound_native_memory()
st.set_page_config(page_title="Yeast intron splicing predictor", page_icon="🧬", layout="wide")
navigation = st.navigation(
    [
        st.Page("pages/predict.py", title="Predict & explain", icon="🔮", default=True),
        st.Page("pages/batch.py", title="Batch scoring", icon="📄"),
        st.Page("pages/design.py", title="Design", icon="🧪"),
        st.Page("pages/native.py", title="Native introns", icon="🧬"),
        st.Page("pages/dataset.py", title="Dataset", icon="📊"),
        st.Page("pages/model.py", title="Model", icon="📈"),
        st.Page("pages/retrain.py", title="Retrain", icon="🏋️"),
    ]
)
render_sidebar()
try:
    navigation.run()
finally:
    release_freed_memory()
