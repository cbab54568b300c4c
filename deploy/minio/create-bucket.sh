#!/bin/sh
# docker-compose's `minio-init`: the private files' bucket and the portal's own key, once (every
# step may run again). The bucket is private (no anonymous access); the portal's key may read,
# write, delete and list that one bucket and nothing else; MinIO's root key stays with MinIO.
# Variables come from .env (deploy/production.env.example).
set -eu
if [ -z "${PRIVATE_STORAGE_BUCKET:-}" ]; then
    echo "PRIVATE_STORAGE_BUCKET is empty: private files stay in the local folder; no bucket made."
    exit 0
fi
: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "local/$PRIVATE_STORAGE_BUCKET"
mc anonymous set none "local/$PRIVATE_STORAGE_BUCKET"
policy=$(mktemp)
cat > "$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::$PRIVATE_STORAGE_BUCKET"]},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": ["arn:aws:s3:::$PRIVATE_STORAGE_BUCKET/*"]}
  ]
}
JSON
mc admin policy create local portal-private-files "$policy"
rm -f "$policy"
mc admin user add local "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
mc admin policy attach local portal-private-files --user "$AWS_ACCESS_KEY_ID" || true  # already attached
echo "bucket $PRIVATE_STORAGE_BUCKET ready for $AWS_ACCESS_KEY_ID"
