"""VCF variants in annotated introns: chromosome names, the annotation, alleles, scoring and haplotypes."""
