"""Rating, invoices and credit notes: the money path of a cloud sold through partners."""
