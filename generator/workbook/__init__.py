"""The collection workbooks: rules and relations, layout, writing templates, pre-filling them."""
