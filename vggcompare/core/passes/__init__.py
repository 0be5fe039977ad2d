"""The pass computation: N forward passes of one configuration, the image's batch neighbours and explanation maps.

Above the model, input, analysis and storage layers; below the studies that combine many runs.
"""
