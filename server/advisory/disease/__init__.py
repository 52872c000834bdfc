"""Weather-driven disease risk models (TOM-CAST, late blight, rice diseases, downy mildew).

Entry points: ``assess_field`` (all diseases of a crop) and ``assess_disease`` in ``risk``.
"""
