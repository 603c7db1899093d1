"""The first visit's notice: drawn before TensorFlow is imported and the model read, which take tens of seconds.

Streamlit alone (no TensorFlow), so the frame can draw it the moment a page opens.
"""

import threading

import streamlit as st

LOAD_NOTICE = (
    "Loading the model… On a server's first start this usually takes 20–40 s (TensorFlow starts and the model is "
    "read); it is then kept for every visitor and page."
)
MODEL_READY = threading.Event()  # set once the active model has loaded in this server process


def loading_notice():
    """A placeholder at the top of the page that says the model is loading, until it has (then it shows nothing)."""
    placeholder = st.empty()
    if not MODEL_READY.is_set():
        placeholder.info(LOAD_NOTICE, icon=":material/hourglass_top:")
    return placeholder
