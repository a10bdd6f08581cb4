# One repository per service: tags immutable (a release is never overwritten: the pipeline
# deploys the digest it built and tested, and a tag once pushed names that image for good),
# each push scanned, images encrypted with the shared root's key. A repository holding images
# is never deleted by Terraform (no force_delete): removing a service from the spec fails at
# apply until its images are deleted on purpose.

# Two exceptions. The tags `sha256-<digest>...` of the OCI referrers tag schema, which cosign
# and GitHub's attestation fall back to when they do not use ECR's Referrers API (and
# cosign's former `.sig`/`.att` tags), are rewritten each time a signature or an attestation
# is added to an image: immutable, a second one (a re-run, the attestation after the
# signature) would be refused. They name no release; every signature is checked by its
# certificate, never by its tag. And `deployed-<environment>`, which each deploy moves to the
# release it deployed (nothing deploys by it: deploys are by digest).
resource "aws_ecr_repository" "this" {
  #checkov:skip=CKV_AWS_51:tags are immutable but for the sha256-* tags of signatures and attestations and the deployed-* marks, which move by design (see above)
  for_each             = var.repositories
  name                 = each.value
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "sha256-*"
    filter_type = "WILDCARD"
  }

  image_tag_mutability_exclusion_filter {
    filter      = "deployed-*"
    filter_type = "WILDCARD"
  }

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

# Release images (tags of the pipeline's semver: MAJOR.MINOR.PATCH) past the newest `keep`
# expire, but for the release an environment runs (tagged `deployed-<environment>` by its
# deploy): the first rule selects those and never expires one (one per environment, far
# below its count), and ECR lets no later rule expire an image an earlier rule selects.
# Nothing else expires. A signature or attestation the pipeline pushes beside an image is not
# a release tag, and an untagged manifest may be one an index or a signature still refers
# to: neither is expired here.
resource "aws_ecr_lifecycle_policy" "this" {
  for_each   = var.repositories
  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Keep the release each environment runs"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["deployed-*"]
          countType      = "imageCountMoreThan"
          countNumber    = 1000
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest ${var.keep} releases"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*.*.*"]
          countType      = "imageCountMoreThan"
          countNumber    = var.keep
        }
        action = { type = "expire" }
      },
    ]
  })
}
