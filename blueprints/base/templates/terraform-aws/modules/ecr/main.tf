# One repository per service: tags immutable (a release is never overwritten: the pipeline
# deploys the digest it built and tested, and a tag once pushed names that image for good),
# each push scanned, images encrypted with the shared root's key. A repository holding images
# is never deleted by Terraform (no force_delete): removing a service from the spec fails at
# apply until its images are deleted on purpose.

resource "aws_ecr_repository" "this" {
  for_each             = var.repositories
  name                 = each.value
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

# Release images (tags of the pipeline's semver: MAJOR.MINOR.PATCH) past the newest `keep`
# expire; nothing else does. A signature or attestation the pipeline pushes beside an image
# is not a release tag, and an untagged manifest may be one an index or a signature still
# refers to: neither is expired here.
resource "aws_ecr_lifecycle_policy" "this" {
  for_each   = var.repositories
  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest ${var.keep} releases"
      selection = {
        tagStatus      = "tagged"
        tagPatternList = ["*.*.*"]
        countType      = "imageCountMoreThan"
        countNumber    = var.keep
      }
      action = { type = "expire" }
    }]
  })
}
